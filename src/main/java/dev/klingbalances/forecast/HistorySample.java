package dev.klingbalances.forecast;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.klingbalances.model.ErrorCode;
import dev.klingbalances.model.Grants;
import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

/**
 * One recorded state of an account: its figures per product as answered, or the failure that
 * kept them from being read.
 *
 * @param at when the figures were fetched, or the failure happened
 * @param stale true for a failure: the figures (if any) are the last good ones
 * @param error the failure's code, null for a successful read
 * @param products each product's figures (active grants), sorted by product; empty when unknown
 * @param consumed per product, the running sum of consumption since the history began (see
 * {@link Grants#consumed}). Handed to {@link HistoryStore#append} it holds the step since the
 * previous sample instead: the store adds the running sum of the last sample it holds itself, so
 * the sum never depends on a replica's copy. Products the previous sample had and this one lacks
 * carry their sum on.
 */
public record HistorySample(Instant at, boolean stale, @Nullable ErrorCode error, List<ProductFigures> products,
		@JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Map<String, BigDecimal> consumed) {

	public HistorySample {
		products = (products != null) ? List.copyOf(products) : List.of();
	}

	boolean isSuccess() {
		return this.error == null;
	}

	/** The figures of one product, or null when the sample has none of it. */
	public @Nullable ProductFigures product(String product) {
		return this.products.stream().filter((figures) -> figures.product().equals(product)).findFirst().orElse(null);
	}

	/** The same sample with another consumption (the running sum the store computed). */
	public HistorySample withConsumed(@Nullable Map<String, BigDecimal> consumed) {
		return new HistorySample(this.at, this.stale, this.error, this.products, consumed);
	}

	/**
	 * The running consumption after {@code step}, continuing from {@code last} (the last sample
	 * a store holds, null when none): each product's step plus its last sum, and every product of
	 * the last sample that the step lacks carried on.
	 */
	public static Map<String, BigDecimal> running(@Nullable HistorySample last, Map<String, BigDecimal> step) {
		Map<String, BigDecimal> sums = new TreeMap<>();
		if (last != null && last.consumed() != null) {
			sums.putAll(last.consumed());
		}
		step.forEach((product, used) -> sums.merge(product, used, BigDecimal::add));
		return sums;
	}

	/**
	 * One product's figures in a sample.
	 * @param product the product
	 * @param remaining remaining of its active grants, null when unknown
	 * @param total total of its active grants, null when unknown
	 */
	@Schema(name = "HistoryProductPoint", description = "One product's figures at one moment")
	public record ProductFigures(@Schema(description = "The product", example = "video") String product,
			@Schema(description = "Remaining of this product's ACTIVE grants; null when unknown", nullable = true, example = "118") @Nullable BigDecimal remaining,
			@Schema(description = "Total of this product's ACTIVE grants; null when unknown", nullable = true, example = "200") @Nullable BigDecimal total) {
	}

}
