package dev.klingbalances.provider.useapi;

import java.time.Clock;

import dev.klingbalances.upstream.RequestLanes;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.retry.RetryRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.client.WebClient;

/** The {@code useapi} balance provider. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(UseapiProperties.class)
class UseapiConfiguration {

	/**
	 * @param clock an application {@link Clock} when one exists (tests fix time with it),
	 * otherwise the system clock in UTC
	 */
	@Bean(UseapiBalanceProvider.NAME)
	UseapiBalanceProvider useapiBalanceProvider(UseapiProperties properties, WebClient.Builder webClientBuilder,
			RetryRegistry retryRegistry, CircuitBreakerRegistry circuitBreakerRegistry,
			BulkheadRegistry bulkheadRegistry, RequestLanes lanes, ObjectProvider<Clock> clock,
			UseapiCapacity useapiCapacity) {
		return UseapiBalanceProvider.create(properties, webClientBuilder, retryRegistry, circuitBreakerRegistry,
				bulkheadRegistry, lanes, clock.getIfAvailable(Clock::systemUTC), useapiCapacity);
	}

	/** Health indicator {@code useapiCapacity}, in the {@code upstreams} group (application.yml). */
	@Bean
	UseapiCapacity useapiCapacity(UseapiProperties properties) {
		return new UseapiCapacity(properties);
	}

}
