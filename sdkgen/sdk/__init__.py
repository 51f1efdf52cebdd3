"""SDK generators: one subpackage per platform, each turning a ModelSpec into a view and rendering templates."""
