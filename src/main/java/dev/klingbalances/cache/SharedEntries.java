package dev.klingbalances.cache;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

/**
 * One cache's entries as every replica sees them, and the leases that make one replica fetch a
 * key while the others wait. Every method may throw {@link StoreUnavailableException}: the
 * cache then serves what it has and makes no upstream call.
 */
public interface SharedEntries<V> {

	/** The shared entry of {@code key}, or null when there is none. */
	@Nullable CachedValue<V> read(String key);

	/** The shared entries of these keys that exist. */
	Map<String, CachedValue<V>> readAll(Collection<String> keys);

	/** Stores the entry for every replica and tells the others it changed. */
	void write(String key, CachedValue<V> entry);

	/**
	 * Makes this fetch the one that fetches {@code key} now, for at most {@code leaseTime}
	 * (a replica that dies while fetching does not block the key longer). Every fetch gets a
	 * lease of its own, also against another fetch of the same replica.
	 * @return the lease's token (to give it back with), or null when another fetch holds the lease
	 */
	@Nullable String tryLease(String key, Duration leaseTime);

	/**
	 * Gives the lease of {@code key} back if {@code token} still holds it: a late release after
	 * the lease expired never frees a lease another fetch took since.
	 */
	void release(String key, String token);

	/** Called with the key whenever another replica wrote an entry. */
	void onWrite(Consumer<String> listener);

}
