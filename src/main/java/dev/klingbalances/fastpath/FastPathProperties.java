package dev.klingbalances.fastpath;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The cached read path.
 *
 * @param enabled answer cached reads ({@code GET}/{@code HEAD /balances} and
 * {@code /balances/{provider}/{account}} whose answer is prepared) ahead of Spring Security and
 * Spring MVC, with the same key check, rate limit, headers, access line and metric; false sends
 * every request through the full chain (the answers are the same, only slower)
 */
@ConfigurationProperties("balances.fast-path")
record FastPathProperties(@DefaultValue("true") boolean enabled) {
}
