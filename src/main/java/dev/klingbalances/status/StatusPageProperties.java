package dev.klingbalances.status;

import java.time.Duration;

import jakarta.validation.constraints.NotNull;
import org.hibernate.validator.constraints.time.DurationMin;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The status page at {@code /}.
 *
 * @param refreshInterval the shortest time between two of the page's checks of
 * {@code /balances}; while the last answer's {@code Cache-Control: max-age} is longer, the page
 * waits that out instead. Each check is a conditional request answered from the cache (usually
 * {@code 304}), never an upstream call.
 */
@Validated
@ConfigurationProperties("balances.status-page")
record StatusPageProperties(@NotNull @DurationMin(seconds = 1) @DefaultValue("20s") Duration refreshInterval) {
}
