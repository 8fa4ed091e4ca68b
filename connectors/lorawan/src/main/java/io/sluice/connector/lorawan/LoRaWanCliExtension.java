package io.sluice.connector.lorawan;

import io.sluice.spi.Value;
import io.sluice.spi.cli.CliCommand;
import io.sluice.spi.cli.CliExtension;
import java.io.PrintWriter;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sluice lorawan decode ...}: inspects a LoRaWAN frame offline. */
public final class LoRaWanCliExtension implements CliExtension {

    @Override
    public String name() {
        return "lorawan";
    }

    @Override
    public CliCommand command() {
        return new LoRaWanCommand();
    }

    /** The {@code lorawan} command group. */
    @Command(name = "lorawan", description = "LoRaWAN tools", mixinStandardHelpOptions = true,
            subcommands = {DecodeCommand.class, DevicesCommand.class})
    public static final class LoRaWanCommand implements Runnable, CliCommand {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getOut());
        }
    }

    /** {@code lorawan decode}. */
    @Command(name = "decode", mixinStandardHelpOptions = true,
            description = "Parse a LoRaWAN 1.0.x PHYPayload, check its MIC and decrypt and decode its payload. Exit code 0 when "
                    + "the frame parses and (with --nwkskey) its MIC is valid, 1 when the MIC fails, 2 for a malformed frame.")
    public static final class DecodeCommand implements Callable<Integer> {

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--nwkskey", description = "network session key, 32 hex digits (checks the MIC; decrypts FPort 0)")
        String nwkSKey;

        @Option(names = "--appskey", description = "application session key, 32 hex digits (decrypts FPort 1..223)")
        String appSKey;

        @Option(names = "--fcnt-msb", defaultValue = "0",
                description = "upper 16 bits of the frame counter (the air carries only the lower 16), default 0")
        int fcntMsb;

        @Option(names = "--codec", defaultValue = "cayenne-lpp",
                description = "payload codec: cayenne-lpp or raw (default: ${DEFAULT-VALUE})")
        String codec;

        @Parameters(paramLabel = "FRAME", description = "the PHYPayload as hex or base64")
        String frame;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            byte[] raw;
            try {
                raw = bytes(frame.trim());
            } catch (IllegalArgumentException e) {
                err.println("FRAME is neither hex nor base64");
                return 2;
            }
            PhyPayload f;
            try {
                f = PhyPayload.parse(raw);
            } catch (FrameException e) {
                err.println("not a LoRaWAN data frame (" + e.reason().metric() + "): " + e.getMessage());
                return 2;
            }
            long fcnt32 = ((long) fcntMsb << 16) | f.fcnt16();
            out.println("MType      " + f.mtype().specName() + " (" + (f.mtype().direction() == 0 ? "uplink" : "downlink") + ")");
            out.println("DevAddr    " + f.devAddrHex());
            out.printf("FCtrl      %02x  ADR=%s ACK=%s %s=%s FOptsLen=%d%n", f.fctrl(), f.adr(), f.ack(),
                    f.mtype().direction() == 0 ? "ClassB" : "FPending", f.bit4(), f.foptsLength());
            out.println("FCnt       " + f.fcnt16() + (fcntMsb != 0 ? " (32-bit " + fcnt32 + ")" : ""));
            out.println("FOpts      " + HexFormat.of().formatHex(f.fopts()));
            out.println("FPort      " + (f.fport() < 0 ? "-" : f.fport()));
            out.println("FRMPayload " + HexFormat.of().formatHex(f.encryptedPayload()) + " (encrypted)");
            out.println("MIC        " + f.micHex());
            if (nwkSKey == null) {
                out.println("MIC check  skipped (no --nwkskey)");
                return 0;
            }
            SessionCrypto crypto;
            try {
                crypto = new SessionCrypto(SessionCrypto.parseKey(nwkSKey, "--nwkskey"),
                        appSKey == null ? null : SessionCrypto.parseKey(appSKey, "--appskey"));
            } catch (IllegalArgumentException e) {
                err.println(e.getMessage());
                return 2;
            }
            int mic = crypto.dataMic(f, fcnt32);
            boolean valid = mic == f.mic();
            out.println("MIC check  " + (valid ? "valid" : String.format("INVALID (computed %08x)", mic)));
            if (f.payloadLength() > 0 && (f.fport() == 0 || appSKey != null)) {
                byte[] plain = crypto.decryptPayload(f, fcnt32);
                out.println("Payload    " + HexFormat.of().formatHex(plain) + (f.fport() == 0 ? " (MAC commands)" : ""));
                if (f.fport() > 0) {
                    PayloadCodec c = "raw".equals(codec) ? RawCodec.INSTANCE : CayenneLppCodec.INSTANCE;
                    try {
                        List<DecodedField> fields = c.decode(plain, f.fport());
                        for (DecodedField d : fields) {
                            out.println("  " + d.name() + " = " + Value.render(d.value()) + (d.unit() == null ? "" : " " + d.unit()));
                        }
                    } catch (PayloadCodec.CodecException e) {
                        out.println("  not " + codec + ": " + e.getMessage());
                    }
                }
            } else if (f.payloadLength() > 0) {
                out.println("Payload    not decrypted (no --appskey)");
            }
            return valid ? 0 : 1;
        }

        static byte[] bytes(String s) {
            if (s.length() % 2 == 0 && s.matches("[0-9a-fA-F]+")) {
                return HexFormat.of().parseHex(s);
            }
            return Base64.getDecoder().decode(s);
        }
    }
}
