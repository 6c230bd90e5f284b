package dev.klingbalances.security;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The access log, written off the request threads.
 *
 * @param queueCapacity access lines that may wait for the writer thread; beyond it a line is
 * dropped and counted in {@code balances_access_log_dropped_total}, never making a request wait
 */
@ConfigurationProperties("balances.access-log")
record AccessLogProperties(@DefaultValue("8192") int queueCapacity) {

	AccessLogProperties {
		if (queueCapacity < 1) {
			throw new IllegalArgumentException("balances.access-log.queue-capacity must be at least 1");
		}
	}

}
