require "subaddress";
if address :detail "to" "lists" { discard; }
