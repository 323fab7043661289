# media/ kernels: G.711, transcoding, the RTP relay fast path, SDP offer/answer.
add_executable(media_bench ${CMAKE_CURRENT_LIST_DIR}/media_bench.cpp)
target_link_libraries(media_bench PRIVATE sb_media benchmark::benchmark_main)
