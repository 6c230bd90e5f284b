package dev.klingbalances.cache;

/**
 * Whether this replica runs the warm-up and the refresh sweep. With one replica it always does;
 * with several on the Redis store, one leader does it for all of them, and another takes over
 * when it goes.
 */
@FunctionalInterface
public interface Leadership {

	/** This process alone: always the leader. */
	Leadership ALWAYS = () -> true;

	boolean isLeader();

}
