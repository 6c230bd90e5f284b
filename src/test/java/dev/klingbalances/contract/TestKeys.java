package dev.klingbalances.contract;

/**
 * API keys of the test consumers. Only their SHA-256 hashes are configured (see
 * {@link ConsumerApiTest}); {@code TestKeysTest} checks that each hash belongs to its key.
 */
public final class TestKeys {

	/** A consumer with the default rate limit (10 per second). */
	public static final String BOB = "kb-bob-8a2d5f7c1e9b3064d8f1";

	public static final String BOB_SHA256 = "2ece61974962c931e16c31ba428736edd9792eaae8b7a55c3a98b40a8a817d8d";

	/** A consumer whose limit tests never reach, so they can send many requests. */
	public static final String ALICE = "kb-alice-6f1d8c2e9a7b4053c1e8";

	public static final String ALICE_SHA256 = "ca5b36d62c4de3811bc89d12d5321603cf8e98adf24423cb911dc98aa61d89eb";

	/** A consumer limited to 2 requests an hour. */
	public static final String THROTTLED = "kb-throttled-3b7e5a9c1d2f4068a9b2";

	public static final String THROTTLED_SHA256 = "a6e769f253e259164442398acb99401b024c8e328bbf5c17c4ccdc9bc9ecffa2";

	/** The fuzz test's consumer, with a limit it never reaches. */
	public static final String FUZZER = "kb-fuzzer-9c4a2e7f1b3d5086c7d4";

	public static final String FUZZER_SHA256 = "0e8b79601c3a0c5f49856c9c068430590fd324757b77f1f2a2201aae7682bd6f";

	/** The secret-scan test's consumer. */
	public static final String SCANNER = "kb-scanner-5e8b1c3a7d9f2046e1a5";

	public static final String SCANNER_SHA256 = "f292241dea9ae2e173edebf68517d0d1ee42cae7b3ec605b2a87df0e65e0db42";

	/** The Swagger UI browser test's consumer. */
	public static final String BROWSER = "kb-browser-2d6f9a1c4e8b3057d2c6";

	public static final String BROWSER_SHA256 = "557cb4e6dff016e4b12eeadbce055dd573f837268ff8828d57c41602bb2a11f6";

	/** A consumer that sees alpha/team-a only. */
	public static final String SCOPED_ALPHA = "kb-scoped-alpha-7c3e9a1f5b2d4068e3a7";

	public static final String SCOPED_ALPHA_SHA256 = "6e44653e6eb29f7ff0c4910c03b0e8fcd95862ea68aa70ecd33ffad71d7109f4";

	/** A consumer that sees beta's alice@… accounts and nothing of alpha. */
	public static final String SCOPED_BETA = "kb-scoped-beta-4d8b2f6a9c1e3057b4e8";

	public static final String SCOPED_BETA_SHA256 = "9233e25e206b0c23b742b877813afabf60f741b2dc0e72e5c3f1de39af0f44a8";

	private TestKeys() {
	}

}
