package dev.klingbalances.upstream;

import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** What the providers share: the lanes their requests take turns in. */
@Configuration(proxyBeanMethods = false)
class UpstreamConfiguration {

	/** This process's lanes, unless a shared store provides lanes every replica uses. */
	@Bean
	@ConditionalOnMissingBean
	RequestLanes requestLanes() {
		return new LocalRequestLanes();
	}

}
