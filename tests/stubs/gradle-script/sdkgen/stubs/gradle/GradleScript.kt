// COMPILE STUB (tests only, never shipped): a script definition for *.gradle.kts files like the one Gradle's
// Kotlin DSL uses for project scripts: `Project` is the implicit receiver, and the SAM types annotated with
// `HasImplicitReceiver` (`Action`) take their argument as the lambda's receiver (`configureEach { dependsOn(x) }`).
package sdkgen.stubs.gradle

import kotlin.script.experimental.annotations.KotlinScript
import kotlin.script.experimental.api.ScriptCompilationConfiguration
import kotlin.script.experimental.api.implicitReceivers
import org.gradle.api.HasImplicitReceiver
import org.gradle.api.Project
import org.jetbrains.kotlin.scripting.definitions.annotationsForSamWithReceivers

@KotlinScript(fileExtension = "gradle.kts", compilationConfiguration = GradleScriptConfiguration::class)
abstract class GradleScript

object GradleScriptConfiguration : ScriptCompilationConfiguration({
    implicitReceivers(Project::class)
    annotationsForSamWithReceivers(HasImplicitReceiver::class)
})
