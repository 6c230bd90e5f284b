package dev.klingbalances.cache;

import java.lang.reflect.Type;

/**
 * What the replicas of this service share when {@code balances.store.type=redis}: every cache's
 * entries, so all of them answer with the same figures, and a lease per entry, so one replica
 * fetches it while the others wait for its result. There is no bean of this type with the
 * memory store (one replica), and the caches keep everything in this process.
 */
public interface SharedStore {

	/**
	 * The shared side of one cache.
	 * @param cache the cache's name ({@code balances.kling}, {@code accounts.useapi}, …)
	 * @param valueType the type of the values in its entries, for the store to read them back
	 */
	<V> SharedEntries<V> entries(String cache, Type valueType);

}
