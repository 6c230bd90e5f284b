package dev.klingbalances.model;

import java.math.BigDecimal;
import java.time.Instant;

import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

/**
 * Where an account (or a pool) is heading, from this service's own history of its figures.
 * Every field is null when there is not enough history to say anything honest.
 *
 * @param burnPerDay consumption per day over the forecast window; top-ups and new packs are not
 * consumption, nor are credits lost when a pack expires
 * @param runsOutAt the first moment the usable capacity reaches zero at that rate, packs' expiry
 * taken into account; a gap before a pending pack starts is a run-out; counted from the moment
 * the figures describe (Kling's lag included), so it errs early
 * @param refillsAt when the next pending pack starts after that run-out; null when none does
 * @param expiringUnused what will expire before it is used at that rate
 * @param basis what the forecast rests on
 */
@Schema(description = """
		Forecast from this service's own history of the figures (in memory, over \
		balances.forecast.window). Every field is null while there is too little history \
		(less than balances.forecast.min-span) or a figure is unknown.""")
public record Forecast(
		@Schema(description = "Consumption per day over the window, in the account's unit; increases (top-ups, new packs) and credits lost to expiry do not count", example = "40.5", nullable = true) @Nullable BigDecimal burnPerDay,
		@Schema(description = "The first moment the usable capacity reaches zero at burnPerDay (earliest-expiring grants used first, expiry taken into account): requests fail from then on. A gap before a pending pack starts is a run-out (see refillsAt). Counted from the moment the figures describe (fetchedAt minus dataDelay), so it errs early; null when there is nothing to run out or no rate", nullable = true) @Nullable Instant runsOutAt,
		@Schema(description = "When the next pending pack starts after runsOutAt, so capacity comes back; null when none does", nullable = true) @Nullable Instant refillsAt,
		@Schema(description = "Capacity that will expire before it is used at burnPerDay; null without a rate", nullable = true) @Nullable ExpiringUnused expiringUnused,
		@Schema(description = "The history the forecast rests on; null before the first recorded figures", nullable = true) @Nullable Basis basis) {

	/** Nothing known. */
	public static final Forecast NONE = new Forecast(null, null, null, null, null);

	/** Capacity that lapses unused at the forecast rate. */
	@Schema(name = "ExpiringUnused", description = "Capacity that will expire before it is used at the forecast rate")
	public record ExpiringUnused(
			@Schema(description = "How much, in the account's unit (0 when nothing lapses)", example = "120") BigDecimal amount,
			@Schema(description = "When the first of it expires; null when nothing lapses", nullable = true) @Nullable Instant by) {
	}

	/** The recorded history a forecast is computed from. */
	@Schema(name = "ForecastBasis", description = "The recorded figures a forecast rests on")
	public record Basis(@Schema(description = "Time of the oldest figures used") Instant from,
			@Schema(description = "Time of the newest figures used") Instant to,
			@Schema(description = "How many recorded figures were used", example = "96") int samples) {
	}

}
