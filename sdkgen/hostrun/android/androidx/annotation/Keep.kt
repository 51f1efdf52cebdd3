// HOST STAND-IN (sdkgen host runs, never shipped in an SDK). androidx.annotation 1.7+ (Kotlin source).
package androidx.annotation

/** Keeps the annotated element when the code is minified (R8/ProGuard). */
@Retention(AnnotationRetention.BINARY)
@Target(
    AnnotationTarget.FILE,
    AnnotationTarget.ANNOTATION_CLASS,
    AnnotationTarget.CLASS,
    AnnotationTarget.CONSTRUCTOR,
    AnnotationTarget.FUNCTION,
    AnnotationTarget.PROPERTY_GETTER,
    AnnotationTarget.PROPERTY_SETTER,
    AnnotationTarget.FIELD,
)
annotation class Keep
