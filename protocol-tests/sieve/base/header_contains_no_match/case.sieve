if header :contains "Subject" "bye" { discard; }
