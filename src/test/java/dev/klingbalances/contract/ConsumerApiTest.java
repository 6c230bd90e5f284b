package dev.klingbalances.contract;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.context.annotation.Import;

/**
 * The whole app on a random port with the {@link FakeProviders} and the {@link TestKeys}
 * consumers. Every test class with this annotation shares one context. Upstream base URLs
 * point at a closed loopback port, so a real provider that gets configured one day still
 * never reaches a real host.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
		"balances.security.api-keys[0].name=alice",
		"balances.security.api-keys[0].sha256=" + TestKeys.ALICE_SHA256,
		"balances.security.api-keys[1].name=throttled",
		"balances.security.api-keys[1].sha256=" + TestKeys.THROTTLED_SHA256,
		"balances.security.api-keys[2].name=browser",
		"balances.security.api-keys[2].sha256=" + TestKeys.BROWSER_SHA256,
		"balances.security.api-keys[3].name=bob",
		"balances.security.api-keys[3].sha256=" + TestKeys.BOB_SHA256,
		"resilience4j.ratelimiter.instances.consumer-alice.base-config=consumer",
		"resilience4j.ratelimiter.instances.consumer-alice.limit-for-period=100000",
		"resilience4j.ratelimiter.instances.consumer-throttled.base-config=consumer",
		"resilience4j.ratelimiter.instances.consumer-throttled.limit-for-period=2",
		"resilience4j.ratelimiter.instances.consumer-throttled.limit-refresh-period=1h",
		"balances.kling.base-url=http://127.0.0.1:9",
		"balances.useapi.base-url=http://127.0.0.1:9" })
@Import(FakeProviders.class)
public @interface ConsumerApiTest {

}
