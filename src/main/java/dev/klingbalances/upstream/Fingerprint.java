package dev.klingbalances.upstream;

import dev.klingbalances.model.Sha256;

/** A stable, short, one-way name for a credential: what lanes, logs and the shared store key it by. */
public final class Fingerprint {

	private Fingerprint() {
	}

	/** The first 8 bytes of the SHA-256 of {@code identity}, in hex: never the credential itself. */
	public static String of(String identity) {
		return Sha256.hex(identity, 8);
	}

}
