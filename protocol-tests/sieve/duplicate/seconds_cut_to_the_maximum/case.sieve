require "duplicate";
if duplicate :seconds 99999999 { discard; }
