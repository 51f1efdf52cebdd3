// The sdkgen build step as a Gradle task: `sdkgenBuild` runs `sdkgen build --check`, which rebuilds and
// verifies the tabular-scorer model (sdkgen 0.1.0), and every `preBuild` of the
// module that applies this file depends on it, so the app is never built with a model that failed a check.
//
// Copy this file into the app's repository (for example to gradle/sdkgen-build.gradle.kts; the copy in the
// generated library is replaced by every build) and apply it in the app module's build.gradle.kts:
//
//     apply(from = rootProject.file("gradle/sdkgen-build.gradle.kts"))
//
// Gradle properties (gradle.properties, or -P on the command line) change the defaults:
//
//     sdkgen.config      the sdkgen.toml, or its folder, relative to the root project   (default: sdkgen.toml)
//     sdkgen.out         the output folder, relative to the root project               (default: dist)
//     sdkgen.executable  the sdkgen command                                              (default: sdkgen)
//     sdkgen.model       the model folder or file, relative to the config's folder       (default: model)
//     sdkgen.skip        true skips the step                                             (default: false)
//
// The task is up to date while the config, the model and the build's output folder are unchanged; when the
// model path does not exist it always runs (sdkgen's stage cache keeps a rerun short). A failed step fails
// the Gradle build with sdkgen's exit code; sdkgen's message and hint are in the log:
//
//     0    success: every check that ran passed (some may be reported as not executed here)
//     1    a stage failed while running, or generated code did not compile
//     2    bad input: the config, the output path or the command-line arguments
//     3    verification failed: an artifact disagrees with the eager model (host or device golden tests)
//     4    a needed toolchain is missing: a runtime, compiler, Android SDK or Xcode
//     5    a quality gate failed: perplexity, accuracy, label agreement or cosine below its verify.* bound
//     6    a device failed: the emulator or simulator did not boot in time, or the test app did not install
//     7    bad model or data files: a missing or truncated checkpoint, an unsupported architecture, or a tokenizer, label list or calibration set that does not fit the model
//     8    the output folder is in use: another sdkgen build holds its lock
//     9    this host has too little memory for the conversion (estimated before it starts)
//     10   runtime version mismatch: an artifact written by one runtime version, an SDK pinned to another
//     130  interrupted (SIGINT, Ctrl-C): the output folder holds what the last finished build wrote
//     143  terminated (SIGTERM, e.g. a cancelled CI job): the output folder holds what the last finished build wrote

import org.gradle.api.tasks.Exec
import org.gradle.kotlin.dsl.register

val sdkgenConfig = rootDir.resolve(providers.gradleProperty("sdkgen.config").getOrElse("sdkgen.toml"))
val sdkgenConfigFile = if (sdkgenConfig.isDirectory) sdkgenConfig.resolve("sdkgen.toml") else sdkgenConfig
val sdkgenModel =
    sdkgenConfigFile.absoluteFile.parentFile.resolve(providers.gradleProperty("sdkgen.model").getOrElse("model"))
val sdkgenOut = rootDir.resolve(providers.gradleProperty("sdkgen.out").getOrElse("dist"))
val sdkgenExecutable = providers.gradleProperty("sdkgen.executable").getOrElse("sdkgen")
val sdkgenSkip = providers.gradleProperty("sdkgen.skip").getOrElse("false").toBoolean()

val sdkgenBuild = tasks.register<Exec>("sdkgenBuild") {
    group = "build"
    description = "Builds and verifies the model with `sdkgen build --check`"
    onlyIf("sdkgen.skip is not true") { !sdkgenSkip }
    workingDir = rootDir
    commandLine(sdkgenExecutable, "build", sdkgenConfig.path, "--out", sdkgenOut.path, "--check")
    inputs.files(sdkgenConfigFile, sdkgenModel).withPropertyName("sdkgenInputs")
    inputs.property("sdkgenExecutable", sdkgenExecutable)
    outputs.dir(sdkgenOut.resolve("tabular-scorer")).withPropertyName("sdkgenOutput")
    outputs.upToDateWhen { sdkgenModel.exists() }
}

tasks.named { it == "preBuild" }.configureEach { dependsOn(sdkgenBuild) }
