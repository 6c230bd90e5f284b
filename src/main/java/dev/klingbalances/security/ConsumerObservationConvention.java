package dev.klingbalances.security;

import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;

import org.springframework.http.server.observation.DefaultServerRequestObservationConvention;
import org.springframework.http.server.observation.ServerRequestObservationContext;

/**
 * Adds the consumer's name (bounded: configured consumers, {@code anonymous} or {@code none})
 * as a low-cardinality {@code consumer} tag to {@code http.server.requests}.
 */
final class ConsumerObservationConvention extends DefaultServerRequestObservationConvention {

	static final String NONE = "none";

	@Override
	public KeyValues getLowCardinalityKeyValues(ServerRequestObservationContext context) {
		Object consumer = context.getCarrier().getAttribute(ApiKeyAuthenticationFilter.CONSUMER_ATTRIBUTE);
		return super.getLowCardinalityKeyValues(context)
			.and(KeyValue.of("consumer", (consumer instanceof String name) ? name : NONE));
	}

}
