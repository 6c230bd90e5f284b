/**
 * Where state lives: the one choice of store ({@code balances.store.type}, read in
 * {@code StoreConfiguration} only), its health and gauge, and both implementations, memory and
 * Redis, of the interfaces the other packages declare (shared entries, history, notification
 * state and outbox, request lanes, leases, the consumer budget, leadership).
 * <p>
 * May import: every package except {@code demo}. Nothing imports it: the rest of the code sees
 * the interfaces only.
 */
package dev.klingbalances.store;
