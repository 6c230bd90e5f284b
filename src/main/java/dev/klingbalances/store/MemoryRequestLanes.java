package dev.klingbalances.store;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import dev.klingbalances.upstream.RequestLane;
import dev.klingbalances.upstream.RequestLanes;
import dev.klingbalances.upstream.RequestPacer;

/** Lanes in this process's memory: the rules hold for this replica, which is all there is. */
public final class MemoryRequestLanes implements RequestLanes {

	private final ConcurrentMap<String, RequestLane> lanes = new ConcurrentHashMap<>();

	@Override
	public Lane lane(String credential, Duration interval, Turn turn) {
		RequestLane lane = this.lanes.computeIfAbsent(credential,
				(key) -> new RequestLane(new RequestPacer(interval), key, turn));
		if (!lane.interval().equals(interval) || lane.turn() != turn) {
			throw new IllegalArgumentException("The lane of this credential already paces differently");
		}
		return lane;
	}

}
