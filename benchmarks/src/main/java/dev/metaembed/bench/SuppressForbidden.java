package dev.metaembed.bench;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Lets the forbidden-APIs check (build-tools/README.md) pass one method, for the reason given. */
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.TYPE, ElementType.FIELD, ElementType.CONSTRUCTOR})
@interface SuppressForbidden {
  /** Why the call is right here. */
  String reason();
}
