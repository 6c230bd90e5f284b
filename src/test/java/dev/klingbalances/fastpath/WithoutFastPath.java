package dev.klingbalances.fastpath;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.test.context.TestPropertySource;

/**
 * The test's application with {@code balances.fast-path.enabled=false}: every request through
 * Spring Security and Spring MVC. The contract tests of {@code /balances} run twice: as they
 * are (the fast path on, its default) and in a subclass with this annotation, named
 * {@code <Test>FullChainTest}; the subclasses with the same base configuration share one
 * cached context, as their bases do.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@TestPropertySource(properties = "balances.fast-path.enabled=false")
public @interface WithoutFastPath {

}
