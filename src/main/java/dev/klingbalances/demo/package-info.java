/**
 * The demo profile's simulated upstreams on loopback: fake Kling and useapi.net answers whose
 * figures move, so the service can be tried without credentials. Never active unless the
 * {@code demo} profile is.
 * <p>
 * May import: nothing of this project (it stands in for the outside world); nothing imports it.
 */
package dev.klingbalances.demo;
