require "include";
include :global "spam-rules";
