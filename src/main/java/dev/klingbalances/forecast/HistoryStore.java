package dev.klingbalances.forecast;

import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Where the recorded history of every account lives: in memory by default, shared by every
 * replica with the Redis store. Keyed by provider and account; bounded in age and count.
 */
public interface HistoryStore {

	/**
	 * Appends a sample, then drops samples older than {@code oldest} and beyond
	 * {@code maxSamples}. The sample's {@code consumed} is this step's consumption per product; the
	 * store records the running sum ({@link HistorySample#running}) from the last sample of the
	 * series as the store itself holds it at that moment (atomically with the append), never from
	 * a replica's copy.
	 */
	void append(String provider, String account, HistorySample sample, Instant oldest, int maxSamples);

	/** The latest sample, or null. */
	@Nullable HistorySample last(String provider, String account);

	/** The samples at or after {@code since}, oldest first. */
	List<HistorySample> read(String provider, String account, Instant since);

	/**
	 * Forgets every series whose newest sample is older than {@code oldest}: an account no longer
	 * listed is kept for the whole window (it may come back), whatever its provider's list says.
	 */
	void forgetIdle(Instant oldest);

}
