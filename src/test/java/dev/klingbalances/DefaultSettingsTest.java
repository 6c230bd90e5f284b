package dev.klingbalances;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The whole app on a random port with its default settings (no upstream account, the memory
 * store, API keys required), read as an operator's scraper reads it: the Prometheus and info
 * endpoints open on the API port. Boot's Redis connection points at a loopback port nobody
 * listens on, which the memory store must never need. Every test class with this annotation
 * and nothing else that shapes the context (no properties, {@code @Import},
 * {@code @DynamicPropertySource} or mock beans of its own) shares one context; who may read the
 * actuator on which port: {@code ApiKeyAccessTest}, {@code ManagementPortTest}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "balances.security.actuator.prometheus=open", "balances.security.actuator.info=open",
				"spring.data.redis.host=127.0.0.1", "spring.data.redis.port=1" })
public @interface DefaultSettingsTest {

}
