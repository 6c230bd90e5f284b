package dev.klingbalances.status;

import java.util.Map;

/**
 * What the status page needs to know before it asks for figures. It holds no figure and nothing
 * secret, since it is served without a key.
 *
 * @param keyRequired whether {@code /balances} wants a consumer key: the page asks for one
 * before it asks for figures, instead of collecting a 401 first
 * @param refreshSeconds the shortest time between two checks of {@code /balances}
 * @param historyWindowSeconds how far back an account's history goes (the forecast window)
 * @param runsOutWithinSeconds a forecast running out within this is a warning
 * @param expiringUnusedWithinSeconds capacity the forecast sees expire unused within this is a warning
 * @param errorCodes each {@code error.code} of an account, in words
 * @param providers each registered provider's name with its display name, by name
 */
record StatusPageSettings(boolean keyRequired, long refreshSeconds, long historyWindowSeconds,
		long runsOutWithinSeconds, long expiringUnusedWithinSeconds, Map<String, String> errorCodes,
		Map<String, String> providers) {
}
