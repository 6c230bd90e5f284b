package dev.klingbalances.forecast;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import dev.klingbalances.model.ErrorCode;
import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

/** The answer of {@code GET /balances/{provider}/{account}/history}. */
@Schema(description = "An account's recorded figures over the forecast window, oldest first: the history its forecast rests on")
public record AccountHistory(@Schema(description = "Provider name", example = "kling") String provider,
		@Schema(description = "The account's name at its provider (e.g. a Kling account id, a useapi.net e-mail)", example = "team-a") String account,
		@Schema(description = "Unit of every quantity", example = "units") String unit,
		@Schema(description = "Start of the answer: the requested since, or the start of the window (UTC)") Instant from,
		@Schema(description = "Recorded figures and failures, oldest first; unchanged figures are recorded at most once per balances.forecast.resolution") List<Point> points) {

	/** One recorded state. */
	@Schema(name = "HistoryPoint", description = "The account's figures at one moment, per product, or a failure to read them")
	public record Point(@Schema(description = "When the figures were fetched, or the failure happened (UTC)") Instant at,
			@Schema(description = "Remaining of ACTIVE grants when the account held one product; null when it held several (see products) or when unknown", nullable = true, example = "118") @Nullable BigDecimal remaining,
			@Schema(description = "Total of ACTIVE grants when the account held one product; null when it held several or when unknown", nullable = true, example = "200") @Nullable BigDecimal total,
			@Schema(description = "Each product's figures, sorted by product; empty when unknown") List<HistorySample.ProductFigures> products,
			@Schema(description = "True for a failure: the figures, if any, are the last good ones") boolean stale,
			@Schema(description = "The failure's code; null for a successful read", nullable = true) @Nullable ErrorCode error) {

		public static Point of(HistorySample sample) {
			// As for an account: one product's figures stand for the account, several never add up.
			List<HistorySample.ProductFigures> products = sample.products();
			HistorySample.ProductFigures only = (products.size() == 1) ? products.get(0) : null;
			return new Point(sample.at(), (only != null) ? only.remaining() : null, (only != null) ? only.total() : null,
					products, sample.stale(), sample.error());
		}

	}

}
