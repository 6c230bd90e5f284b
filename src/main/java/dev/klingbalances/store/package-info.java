/**
 * Where shared state lives: the choice of store ({@code balances.store.type}), its health and
 * gauge, and the Redis implementations of the interfaces the other packages declare (shared
 * entries, history, notification state, request lanes, leases, the consumer budget, leadership).
 * <p>
 * May import: every package except {@code demo}. Nothing imports it: the rest of the code sees
 * the interfaces only.
 */
package dev.klingbalances.store;
