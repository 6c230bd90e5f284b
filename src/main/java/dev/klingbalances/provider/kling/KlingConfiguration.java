package dev.klingbalances.provider.kling;

import java.time.Clock;

import dev.klingbalances.upstream.RequestLanes;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.retry.RetryRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.client.WebClient;

/** The {@code kling} balance provider. */
@Configuration(proxyBeanMethods = false)
class KlingConfiguration {

	@Bean
	KlingBalanceProvider kling(KlingProperties properties, WebClient.Builder webClientBuilder, RetryRegistry retries,
			CircuitBreakerRegistry circuitBreakers, BulkheadRegistry bulkheads, RequestLanes lanes,
			ObjectProvider<Clock> clock, MeterRegistry meterRegistry) {
		KlingBalanceProvider provider = new KlingBalanceProvider(properties, webClientBuilder, retries, circuitBreakers,
				bulkheads, lanes, clock.getIfAvailable(Clock::systemUTC));
		Gauge.builder("balances.kling.unmatched.packs", provider.productRules(), KlingProducts::unmatched)
			.description("Distinct Kling pack names that no product rule matched since start (counted as 'other'): "
					+ "add a balances.kling.products rule for them")
			.register(meterRegistry);
		return provider;
	}

}
