package dev.klingbalances.store;

/** Whether the shared store answers now: the {@code store} health and {@code balances_store_up}. */
interface StoreStatus {

	boolean isUp();

	/** What the store is, for the health details (never an address with a password). */
	String type();

}
