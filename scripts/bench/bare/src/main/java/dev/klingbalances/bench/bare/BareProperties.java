package dev.klingbalances.bench.bare;

import java.nio.file.Path;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * @param bodyFile the bytes to answer with, read once at start (the script writes the
 * service's own /balances answer there)
 */
@ConfigurationProperties("bare")
record BareProperties(Path bodyFile) {
}
