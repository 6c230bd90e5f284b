package dev.klingbalances.bench.bare;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** Answers the same path as the service with bytes read once at start: no model, no JSON writing. */
@RestController
class FixedBodyController {

	private final byte[] body;

	FixedBodyController(BareProperties properties) {
		try {
			this.body = Files.readAllBytes(properties.bodyFile());
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot read bare.body-file " + properties.bodyFile(), ex);
		}
	}

	@GetMapping(path = "/balances", produces = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<byte[]> balances() {
		return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(this.body);
	}

}
