package dev.klingbalances.notify;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.klingbalances.forecast.HistorySample;
import dev.klingbalances.forecast.HistoryStore;
import org.jspecify.annotations.Nullable;

/** The smallest {@link HistoryStore} (the application's in-memory one is the balance package's own). */
final class ListHistoryStore implements HistoryStore {

	private final Map<String, List<HistorySample>> series = new HashMap<>();

	@Override
	public synchronized void append(String provider, String account, HistorySample sample, Instant oldest,
			int maxSamples) {
		List<HistorySample> samples = this.series.computeIfAbsent(provider + "/" + account, (key) -> new ArrayList<>());
		// As every store: the running consumption continues from its own last sample.
		samples.add(sample.withConsumed(HistorySample.running(samples.isEmpty() ? null : samples.get(samples.size() - 1),
				(sample.consumed() != null) ? sample.consumed() : Map.of())));
		samples.removeIf((kept) -> kept.at().isBefore(oldest));
		while (samples.size() > maxSamples) {
			samples.remove(0);
		}
	}

	@Override
	public synchronized @Nullable HistorySample last(String provider, String account) {
		List<HistorySample> samples = this.series.getOrDefault(provider + "/" + account, List.of());
		return samples.isEmpty() ? null : samples.get(samples.size() - 1);
	}

	@Override
	public synchronized List<HistorySample> read(String provider, String account, Instant since) {
		return this.series.getOrDefault(provider + "/" + account, List.of())
			.stream()
			.filter((sample) -> !sample.at().isBefore(since))
			.toList();
	}

	@Override
	public synchronized void forgetIdle(Instant oldest) {
		this.series.values().removeIf((samples) -> samples.isEmpty() || samples.get(samples.size() - 1).at().isBefore(oldest));
	}

}
