package dev.klingbalances.upstream;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** Lanes in this process's memory: the rules hold for this replica, which is all there is. */
public final class LocalRequestLanes implements RequestLanes {

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
