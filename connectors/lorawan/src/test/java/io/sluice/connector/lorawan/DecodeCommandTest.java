package io.sluice.connector.lorawan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DecodeCommandTest {

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        CommandLine cl = new CommandLine(new LoRaWanCliExtension().command());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void decodesTheReferenceFrameFromHexAndBase64() {
        String nwk = "44024241ed4ce9a68c6a8bc055233fd3";
        String app = "ec925802ae430ca77fd3dd73cb2cc588";
        for (String frame : new String[] {"40f17dbe4900020001954378762b11ff0d", "QPF9vkkAAgABlUN4disR/w0="}) {
            Run r = run("decode", "--nwkskey", nwk, "--appskey", app, "--codec", "raw", frame);
            assertEquals(0, r.code, r.err);
            assertTrue(r.out.contains("DevAddr    49be7df1"), r.out);
            assertTrue(r.out.contains("MIC check  valid"), r.out);
            assertTrue(r.out.contains("Payload    74657374"), r.out);
            assertFalse(r.out.contains(nwk) || r.out.contains(app), "keys are never printed");
        }
        Run bad = run("decode", "--nwkskey", nwk, "40f17dbe49000300012a3518aa");
        assertEquals(1, bad.code);
        assertTrue(bad.out.contains("INVALID (computed 2a3518af)"), bad.out);
        assertEquals(2, run("decode", "40f1").code);
        assertEquals(2, run("decode", "--nwkskey", "nothex", "40f17dbe49000300012a3518af").code);
    }

    @Test
    void decodesCayenneLpp() {
        // derived frame of the reference (keys 02.. / 01..) carries "hello"; build an LPP one with the test encoder
        byte[] frame = UplinkPipelineTest.uplink(UplinkPipelineTest.ADDR, 9, 1, java.util.HexFormat.of().parseHex("03670110056700ff"));
        Run r = run("decode", "--nwkskey", UplinkPipelineTest.NWK, "--appskey", UplinkPipelineTest.APP,
                java.util.HexFormat.of().formatHex(frame));
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("temperature_3 = 27.2 °C"), r.out);
        assertTrue(r.out.contains("temperature_5 = 25.5 °C"), r.out);
    }
}
