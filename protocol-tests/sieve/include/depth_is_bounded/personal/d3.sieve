require "include";
include "d4";
