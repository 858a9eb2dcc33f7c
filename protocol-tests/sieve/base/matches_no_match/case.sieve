if header :matches "subject" "*bye*" { discard; }
