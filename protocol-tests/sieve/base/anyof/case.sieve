if anyof (false, header :contains "subject" "ell") { discard; }
