require "duplicate";
if duplicate :last :seconds 3600 { discard; }
