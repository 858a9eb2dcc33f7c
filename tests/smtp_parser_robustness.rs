//! The command parser on hostile input: random bytes and mutations of
//! valid commands never panic, and each line gets a command or an error.

use postamt::smtp::parser::parse_command;

/// xorshift64: reproducible without a dependency.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const VALID: &[&str] = &[
    "EHLO client.example.org",
    "HELO [192.0.2.1]",
    "MAIL FROM:<\"a b\"@example.org> SIZE=100 BODY=8BITMIME SMTPUTF8 RET=FULL ENVID=x+2By AUTH=<>",
    "RCPT TO:<@a.example,@b.example:bob@example.org> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob@example.org",
    "RCPT TO:<Postmaster>",
    "BDAT 1000 LAST",
    "AUTH PLAIN AGFsaWNlAHB3",
    "EHLO [IPv6:2001:db8::1]",
];

#[test]
fn random_bytes_never_panic() {
    let mut random = Random(0x5eed_1234_abcd_ef01);
    for _ in 0..20_000 {
        let len = random.below(300);
        let line: Vec<u8> = (0..len).map(|_| random.next() as u8).collect();
        let _ = parse_command(&line);
    }
}

#[test]
fn mutated_valid_commands_never_panic() {
    let mut random = Random(0xfeed_beef_0bad_f00d);
    let specials = b"<>@:;,.=+\"\\[] \xc3\xff\x00";
    for _ in 0..50_000 {
        let mut line = VALID[random.below(VALID.len())].as_bytes().to_vec();
        for _ in 0..=random.below(4) {
            let at = random.below(line.len() + 1);
            match random.below(3) {
                0 if at < line.len() => {
                    line.remove(at);
                }
                1 => line.insert(at, specials[random.below(specials.len())]),
                _ => line.truncate(at),
            }
        }
        let _ = parse_command(&line);
    }
}

#[test]
fn every_valid_command_parses() {
    for line in VALID {
        assert!(parse_command(line.as_bytes()).is_ok(), "{line}");
    }
}
