package dev.klingbalances.store;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import dev.klingbalances.forecast.HistorySample;
import dev.klingbalances.forecast.HistoryStore;
import org.jspecify.annotations.Nullable;

/** The history in this process's memory: lost on restart, which only delays forecasts. */
public final class MemoryHistoryStore implements HistoryStore {

	private final ConcurrentMap<String, ConcurrentMap<String, Deque<HistorySample>>> providers = new ConcurrentHashMap<>();

	@Override
	public void append(String provider, String account, HistorySample sample, Instant oldest, int maxSamples) {
		Deque<HistorySample> samples = series(provider, account);
		synchronized (samples) {
			// The running consumption continues from the last sample of the series itself.
			samples.addLast(sample.withConsumed(HistorySample.running(samples.peekLast(),
					(sample.consumed() != null) ? sample.consumed() : Map.of())));
			while (samples.size() > maxSamples
					|| (!samples.isEmpty() && samples.peekFirst().at().isBefore(oldest))) {
				samples.removeFirst();
			}
		}
	}

	@Override
	public @Nullable HistorySample last(String provider, String account) {
		Deque<HistorySample> samples = existing(provider, account);
		synchronized (samples) {
			return samples.peekLast();
		}
	}

	@Override
	public List<HistorySample> read(String provider, String account, Instant since) {
		Deque<HistorySample> samples = existing(provider, account);
		synchronized (samples) {
			List<HistorySample> read = new ArrayList<>(samples.size());
			for (HistorySample sample : samples) {
				if (!sample.at().isBefore(since)) {
					read.add(sample);
				}
			}
			return read;
		}
	}

	@Override
	public void forgetIdle(Instant oldest) {
		for (ConcurrentMap<String, Deque<HistorySample>> series : this.providers.values()) {
			series.values().removeIf((samples) -> {
				synchronized (samples) {
					HistorySample last = samples.peekLast();
					return last == null || last.at().isBefore(oldest);
				}
			});
		}
	}

	/** The account's series, or an empty one that is not kept (reading never creates a series). */
	private Deque<HistorySample> existing(String provider, String account) {
		ConcurrentMap<String, Deque<HistorySample>> series = this.providers.get(provider);
		Deque<HistorySample> samples = (series != null) ? series.get(account) : null;
		return (samples != null) ? samples : new ArrayDeque<>();
	}

	private Deque<HistorySample> series(String provider, String account) {
		return this.providers.computeIfAbsent(provider, (name) -> new ConcurrentHashMap<>())
			.computeIfAbsent(account, (name) -> new ArrayDeque<>());
	}

}
