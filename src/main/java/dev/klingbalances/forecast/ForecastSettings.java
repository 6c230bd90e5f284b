package dev.klingbalances.forecast;

import java.time.Duration;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * History and forecast ({@code balances.forecast.*}).
 *
 * @param window how far back the history of each account's figures is kept and used
 * @param minSpan how much history a forecast needs before it says anything (Kling's figures
 * move in steps, up to 12 h apart)
 * @param resolution unchanged figures are recorded at most this often (a change is always
 * recorded)
 * @param maxSamples upper bound of recorded figures per account (the oldest go first)
 * @param estimateStep {@code estimatedRemaining} is computed as of the start of the current
 * step (whole seconds since the epoch), so an answer stays the same bytes, with the same
 * entity tag on every replica, for a step at a time instead of changing every instant
 */
public record ForecastSettings(@NotNull @DefaultValue("7d") Duration window, @NotNull @DefaultValue("12h") Duration minSpan,
		@NotNull @DefaultValue("10m") Duration resolution, @Min(2) @DefaultValue("2000") int maxSamples,
		@NotNull @DefaultValue("1m") Duration estimateStep) {

	@AssertTrue(message = "balances.forecast.estimate-step must be a whole number of seconds, at least 1s")
	boolean isEstimateStepWholeSeconds() {
		return this.estimateStep.getNano() == 0 && this.estimateStep.getSeconds() >= 1;
	}

	@AssertTrue(message = "balances.forecast.min-span must be shorter than balances.forecast.window")
	boolean isMinSpanWithinWindow() {
		return this.minSpan.compareTo(this.window) < 0;
	}

}
