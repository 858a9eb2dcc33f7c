if header :is "subject" "Grüße" { discard; }
