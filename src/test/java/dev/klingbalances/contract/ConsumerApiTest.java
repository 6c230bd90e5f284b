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
		"balances.security.api-keys[4].name=fuzzer",
		"balances.security.api-keys[4].sha256=" + TestKeys.FUZZER_SHA256,
		"resilience4j.ratelimiter.instances.consumer-fuzzer.base-config=consumer",
		"resilience4j.ratelimiter.instances.consumer-fuzzer.limit-for-period=1000000",
		"balances.security.api-keys[5].name=scoped-alpha",
		"balances.security.api-keys[5].sha256=" + TestKeys.SCOPED_ALPHA_SHA256,
		"balances.security.api-keys[5].accounts[0]=alpha/team-a",
		"resilience4j.ratelimiter.instances.consumer-scoped-alpha.base-config=consumer",
		"resilience4j.ratelimiter.instances.consumer-scoped-alpha.limit-for-period=100000",
		"balances.security.api-keys[6].name=scoped-beta",
		"balances.security.api-keys[6].sha256=" + TestKeys.SCOPED_BETA_SHA256,
		"balances.security.api-keys[6].accounts[0]=beta/alice@*",
		"balances.security.api-keys[6].accounts[1]=gamma/*",
		"resilience4j.ratelimiter.instances.consumer-scoped-beta.base-config=consumer",
		"resilience4j.ratelimiter.instances.consumer-scoped-beta.limit-for-period=100000",
		"test.secrets.alpha-secret-key=" + ConsumerApiTest.KLING_SECRET,
		"test.secrets.beta-token=" + ConsumerApiTest.USEAPI_TOKEN,
		"resilience4j.ratelimiter.instances.consumer-throttled.base-config=consumer",
		"resilience4j.ratelimiter.instances.consumer-throttled.limit-for-period=2",
		"resilience4j.ratelimiter.instances.consumer-throttled.limit-refresh-period=1h",
		"balances.kling.base-url=http://127.0.0.1:9",
		"balances.useapi.base-url=http://127.0.0.1:9" })
@Import(FakeProviders.class)
public @interface ConsumerApiTest {

	/** The fake Kling secret key the failing fake accounts carry in their causes. */
	String KLING_SECRET = "test-kling-secret-4b1e8c0d7a";

	/** The fake useapi.net token the failing fake accounts carry in their causes. */
	String USEAPI_TOKEN = "test-useapi-token-9f2a6c3e1b";

}
