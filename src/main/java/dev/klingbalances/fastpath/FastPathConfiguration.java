package dev.klingbalances.fastpath;

import java.time.Clock;

import dev.klingbalances.balance.BalanceService;
import dev.klingbalances.security.ConsumerGate;

import org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Registers the cached read filter after the request id, the metric, the access log and the
 * request limits (which every request passes), right before Spring Security.
 */
@Configuration(proxyBeanMethods = false)
class FastPathConfiguration {

	@Bean
	FilterRegistrationBean<CachedReadFilter> cachedReadFilter(FastPathProperties properties, BalanceService service,
			ConsumerGate gate, Clock clock) {
		FilterRegistrationBean<CachedReadFilter> registration = new FilterRegistrationBean<>(
				new CachedReadFilter(service, gate, clock));
		registration.setOrder(SecurityFilterProperties.DEFAULT_FILTER_ORDER - 1);
		registration.setEnabled(properties.enabled());
		return registration;
	}

}
