package io.rankrepro.tasks.task;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The default of a params-record component, written as the spec would write it (a YAML value:
 * {@code "0.01"}, {@code "[0, 2]"}, {@code "adam-l2"}, {@code "null"} for "not set"). A component
 * without one is required. This is the only place a parameter's default is written.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.PARAMETER})
public @interface Default {
    String value();
}
