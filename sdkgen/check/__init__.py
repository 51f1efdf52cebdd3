"""Checks of generated SDK code on this machine: compile Kotlin, build and test Swift."""
