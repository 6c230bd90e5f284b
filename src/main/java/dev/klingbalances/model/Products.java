package dev.klingbalances.model;

/**
 * Product names the model itself knows. A grant's product is what it can be spent on: capacity
 * of one product never pays for another, so no figure adds two products. Providers decide
 * their grants' products (Kling from the pack name: {@code video}, {@code image},
 * {@code other}); this package only compares the names.
 */
public final class Products {

	/** A grant whose product could not be told (never guessed into another product). */
	public static final String OTHER = "other";

	/** Credits that pay for every kind of job alike (useapi.net's Kling web credits). */
	public static final String CREDITS = "credits";

	private Products() {
	}

}
