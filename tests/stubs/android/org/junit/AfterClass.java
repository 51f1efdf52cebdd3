// COMPILE STUB (tests only, never shipped). JUnit 4.13 signatures. The method must be static: in Kotlin,
// a companion-object member annotated @JvmStatic.
package org.junit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface AfterClass {
}
